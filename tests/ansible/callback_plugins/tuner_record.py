# SPDX-License-Identifier: MIT
"""For tests/ansible/run.py: every task result of every host, as one JSON line
each, appended to the file named by $TUNER_RECORD."""
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: tuner_record
type: notification
short_description: record task results as JSON lines (tuner's tests)
description:
  - Appends {host, task, outcome, result} for every task result to $TUNER_RECORD.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "tuner_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, outcome):
        line = json.dumps({"host": result._host.get_name(), "task": result._task.get_name(),
                           "outcome": outcome, "result": result._result}, default=str)
        with open(os.environ["TUNER_RECORD"], "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")
