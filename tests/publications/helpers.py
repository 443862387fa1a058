from publications import actions
from tests.submissions.helpers import submitted


def adopted(writer, approver, editor, publication, **item_overrides):
    item = submitted(writer, approver, **item_overrides)
    return actions.adopt(item=item, user=editor, publication=publication)


def signed_issue(editor, signer, publication, adoptions):
    issue = actions.create_issue(publication=publication, user=editor)
    actions.add_to_issue(issue=issue, adoptions=adoptions, user=editor)
    return actions.sign_off_issue(issue=issue, user=signer)
