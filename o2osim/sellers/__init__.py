"""Small sellers (SMEs) on the O2O platform: the runtime of the ``[sellers]`` table.

:mod:`.flow` splits each basket into one order per seller at checkout and ships a
self-fulfilling SME's orders; :mod:`.build` wires that, the SMEs' own restocking of
their consigned units and their initial stock into a World; :mod:`.money` splits each
order's money between the platform and its seller. The schema is
:mod:`o2osim.scenario.sellers`, the KPIs :mod:`o2osim.kpis.sellers`. Without a
``[sellers]`` table none of it changes a run.
"""
