"""Who is using the tool, for the export log and a submission's history.

On the local store that is the operating-system account. On DynamoDB it is the AWS identity the staff
member's credentials belong to (STS GetCallerIdentity, which needs no permission), so that the log names the
person AWS knows, not whatever account name their laptop has. If STS cannot be reached the OS account is
used and the log says the AWS identity is unknown: an export must not fail because of the log's detail.
"""

from __future__ import annotations

import getpass
import os


def os_user() -> str:
    """The operating-system account running the tool."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (in some containers)
        return f"uid {os.getuid()}"


def aws_identity(region: str, endpoint_url: str | None = None) -> str:
    """The caller's AWS ARN, or the OS account marked as such when STS does not answer within seconds."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    config = Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 1})
    try:
        sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url, config=config)
        return str(sts.get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError, KeyError):
        return f"{os_user()} (AWS identity unknown)"
