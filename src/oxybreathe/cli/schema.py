"""`oxybreathe schema`: the JSON Schema of the session format, for editors."""

from __future__ import annotations

import argparse
import sys

from oxybreathe.core.schema import schema_json
from oxybreathe.exits import ExitStatus


def run(_args: argparse.Namespace) -> int:
    """Print the JSON Schema of the session format."""
    sys.stdout.write(schema_json())
    return ExitStatus.OK
