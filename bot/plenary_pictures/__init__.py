"""The plenary's pictures: what ``/summary`` shows at a glance, as PNGs for a phone.

``specs`` describes each picture in words and numbers (every word from the templates,
every number written by Babel), ``wording`` builds those descriptions from the core's
``ShowSummary``, and ``drawing`` turns them into PNG bytes with matplotlib (Agg), one
module per picture (``grid``, ``room``, ``changes``) on a shared phone-sized ``canvas``.
Drawing takes a few tenths of a second: ``drawing.draw_all`` runs it on one worker
thread, off the event loop that answers everybody's taps.
"""
