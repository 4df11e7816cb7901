"""What tests share and that is no test itself: collected by nobody, imported as ``support.<module>``
(``tests/`` is on ``sys.path``: pytest puts it there for ``tests/conftest.py``)."""
