"""The monthly statistics bulletin (采用情况通报), compiled as a draft issue."""

import datetime as dt

from django.db import transaction

from publications.models import Issue, Publication
from units.models import User

from .models import Scheme
from .queries import scoreboard


def statistics_text(scheme: Scheme, until: dt.date) -> tuple[str, str]:
    board = scoreboard(scheme)
    title = f"{scheme.year}年1—{until.month}月政务信息采用情况通报"
    lines = [
        f"截至{until.year}年{until.month}月{until.day}日，{scheme.office.name}对{len(board.rows)}个单位的"
        f"政务信息报送和采用情况进行了统计，现将有关情况通报如下。",
    ]
    for r in board.rows:
        completion = f"，完成基数的{r.completion}%" if r.completion is not None else ""
        lines.append(
            f"{r.rank}. {r.unit.name}：报送{r.submissions}条，采用{r.adoptions}条，"
            f"批示{r.instructions}次，积分{r.points:.1f}{completion}。"
        )
    if board.zero_submissions:
        lines.append("零报送单位：" + "、".join(u.name for u in board.zero_submissions) + "。")
    if board.zero_adoptions:
        lines.append("零采用单位：" + "、".join(u.name for u in board.zero_adoptions) + "。")
    return title, "\n".join(lines)


@transaction.atomic
def compile_statistics(*, scheme: Scheme, publication: Publication, user: User, until: dt.date) -> Issue:
    title, body = statistics_text(scheme, until)
    return Issue.objects.create(publication=publication, created_by=user, note_title=title, note_body=body)
