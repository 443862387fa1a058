from tests.publications.conftest import bulletin, daily  # noqa: F401
from tests.scoring.conftest import dept_class, pubs, scheme  # noqa: F401
