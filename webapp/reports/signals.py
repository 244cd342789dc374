"""Signals other areas subscribe to (the schedules area e-mails recipients on report_finished)."""

from blinker import Namespace

_signals = Namespace()

#: Sent by the report job after the report reached DONE or FAILED, and by the sweep after it
#: failed a stuck report:  report_finished.send(app, report_id=..., deliver_to=[...] or None)
report_finished = _signals.signal("report-finished")
