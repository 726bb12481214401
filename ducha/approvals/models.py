"""Administrative approval (行政审批, S3.1–S3.5): the models, one module per part.

- ``models_catalogue``: the published catalogue (审批事项目录), versioned items with their
  materials, fees, delegation per area, prerequisites and flow;
- ``models_applications``: applications from 收件 to decision, their materials, one-time
  notices, pauses, steps, documents and events;
- ``models_supervision``: electronic supervision's cards (电子监察 黄牌/红牌);
- ``models_ratings``: 好差评, the rectification of a bad rating and the appeal against one.
"""

from ducha.approvals.models_applications import *  # noqa: F403
from ducha.approvals.models_catalogue import *  # noqa: F403
from ducha.approvals.models_ratings import *  # noqa: F403
from ducha.approvals.models_supervision import *  # noqa: F403
