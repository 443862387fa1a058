"""Named hooks for apps to the right (scoring): receivers run inside the sender's
transaction, so points are written together with the act that earns them."""

from django.dispatch import Signal

# sender=Adoption, adoption=<Adoption>, user=<User>
adoption_made = Signal()
# sender=Adoption, adoption=<Adoption>, user=<User>, reason=<str>
adoption_withdrawn = Signal()
# sender=Issue, issue=<Issue>, user=<User>
issue_signed = Signal()
# sender=ExternalAdoption, external=<ExternalAdoption>, user=<User>
external_adoption_recorded = Signal()
# sender=Instruction, instruction=<Instruction>, user=<User>
instruction_made = Signal()
