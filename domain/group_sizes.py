"""The smallest groups whose results may be shown: below them a person could be recognised."""

from __future__ import annotations

# Scores, shares, notes to contributors, exported cells: five people at least (the default of
# Culture Amp, Viva Glint and Qualtrics). A commitment's own min_responses may only be higher.
SCORE_MIN_GROUP = 5
# Free-text comments say more about who wrote them: ten respondents at least.
COMMENT_MIN_GROUP = 10
