"""What a person leaving their unit leaves open in publications (units/handover.py):
instructions the unit must still report on stay with the unit and are listed, so the
named colleague knows to answer them."""

from units.handover import register

from .models import InstructionHandler


def find_feedback(person, unit) -> list[str]:
    links = InstructionHandler.objects.filter(unit=unit, feedback_at__isnull=True).select_related("instruction")
    return [f"{link.instruction.leader_name}批示（反馈期限 {link.instruction.deadline:%Y-%m-%d}）"
            for link in links.order_by("instruction__deadline")]  # fmt: skip


register("instruction_feedback", "本单位待反馈的批示（仍由本单位办理）", find=find_feedback)
