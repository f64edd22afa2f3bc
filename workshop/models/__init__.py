"""Entities and their own small invariants, one module per part of the domain. Rules that span
entities live in the features' services. Import from here: `from workshop.models import Card`."""
from .boards import *  # noqa: F401,F403
from .commitments import *  # noqa: F401,F403
from .workshops import *  # noqa: F401,F403
from .synthesis import *  # noqa: F401,F403
from .followup import *  # noqa: F401,F403
