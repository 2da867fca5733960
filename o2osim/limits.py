"""Sanity limits on what a scenario file may ask for, in one place.

Each limit exists so that a typo or an absurd value (``1e9`` SKUs, a review every
microsecond, a horizon of ``1e99d``) is refused in one line before anything is
allocated or scheduled, instead of hanging the machine or exhausting its memory.
The limits are far above any real Chinese cross-border O2O operation, so a
deliberate scenario never meets them; the size estimate (:mod:`o2osim.sizing`)
then judges whether the whole run fits the machine. Durations are in minutes,
the clock's unit. This module must not import the rest of the package.
"""

from __future__ import annotations

import datetime as dt

#: One second in minutes.
SECOND = 1.0 / 60.0
#: One year in minutes (365 days: calendar years are not needed at this precision).
YEAR = 365 * 1440.0

# ---------------------------------------------------------------- durations

#: The shortest period of anything that recurs on its own (an inventory review, a
#: resource snapshot, a line-haul run, a batch window, a slot, the gap between two
#: wave cut-offs). Below a second the run only schedules timer events: a review every
#: 1e-6 s is 86 billion events a day. Nothing in retail logistics repeats faster.
MIN_PERIOD = SECOND
#: The longest duration anywhere: 10,000 years. Every promise, lead time or patience
#: of a real operation is far shorter; what the bound buys is that sums of durations
#: stay finite and exact to well under a second (5e9 minutes in a float64), so a
#: promise of "1e99d" can no longer overflow the lead-time charts. (Not 100 years:
#: property tests draw distribution parameters up to 1e6 days, about 2,700 years.)
MAX_DURATION = 10_000 * YEAR
#: The longest run: 10 years. Strategic studies of a hub run 1-3 years; past 10 the
#: calendar, the arrival-rate table (one value per hour) and the order book outgrow
#: any laptop long before the simulation would mean anything.
MAX_HORIZON = 10 * YEAR
#: Start dates of a run: dates far outside these only overflow date arithmetic
#: (``date.max`` is 9999-12-31) and are surely typos.
MIN_START = dt.date(1900, 1, 1)
MAX_START = dt.date(2200, 12, 31)

# ---------------------------------------------------------------- sizes

#: SKUs in one catalogue. Tmall Global's largest bonded warehouses list tens of
#: thousands; a million keeps the per-SKU arrays (prices, stock, levels: ~1 KB each)
#: near 1 GB. Reviews also visit every SKU, so this bounds the work per review.
MAX_SKUS = 1_000_000
#: Servers or staff of one resource (pickers, packers, AGVs, riders of one fleet,
#: customs officers, counters, places in a store). Meituan's largest city depots run
#: a few thousand riders; per-rider state is allocated at the start, so 1e8 riders
#: would fill the memory before the first order.
MAX_SERVERS = 100_000
#: Mean arrivals per day of one segment. Double 11 peaks of a whole platform are a few
#: million orders a day nationally; one segment of one city stays below a million.
#: 1e7 a day for 28 days would be ~1 TB of order book.
MAX_ARRIVALS_PER_DAY = 1_000_000
#: Multiplier of a peak day or calendar event. Double 11 days reach 10-20 times a
#: normal day; 100 is beyond any recorded festival and keeps one day's arrivals
#: within MAX_ARRIVALS_PER_DAY x 100.
MAX_DAY_FACTOR = 100.0
#: Days of demand held as stock (initial stock, reorder point, order-up-to level,
#: order quantity). Ten years of stock is no policy; "1e300" days overflowed the
#: unit counts.
MAX_STOCK_DAYS = 3650.0
#: Customers of one segment with a finite population. Chongqing, the largest Chinese
#: municipality, has ~32 M residents; per-customer state (trust, propensity, annual
#: customs spend) is allocated per person.
MAX_POPULATION = 50_000_000
#: Seats of one flight: the A380's certified maximum is 853.
MAX_SEATS = 1_000
#: Departures per day from one airport (or entries of a daily timetable): the busiest
#: airports see ~1,500 a day.
MAX_DEPARTURES_PER_DAY = 5_000
#: Orders on one courier trip: a van carries a few hundred parcels; dispatch policies
#: look at every pair of stops, so the work grows with the square.
MAX_TRIP_ORDERS = 1_000
#: Slots a presale customer chooses among: a year of hourly slots is ~8,800.
MAX_SLOT_CHOICES = 10_000
#: Integer counts that are only stored and compared (stock units per SKU, guard units,
#: orders per wave or truck run, queue lengths at which customers balk, display
#: samples): 1e9 keeps them exact in float64 and inside int64 arithmetic.
MAX_COUNT = 1_000_000_000
#: Parameters of number distributions (km, CNY, items) and relative weights (profiles,
#: channel shares, rings): 1e9 keeps sums of many of them finite and exact enough.
MAX_NUMBER = 1e9
#: Magnitude of a logit coefficient: beyond 1e6 per unit the choice is deterministic
#: anyway, and larger values overflow the utilities to infinity.
MAX_LOGIT = 1e6
#: Floor area of one site, m2: the largest warehouses are ~1 km2 (1e6 m2).
MAX_AREA_M2 = 1e8

# ---------------------------------------------------------------- files

#: Largest scenario or experiment file read: the bundled ones are ~10 KB; a timetable
#: of MAX_DEPARTURES_PER_DAY flights is ~0.3 MB. Reading stops here, so /dev/zero or
#: a wrong file cannot fill the memory.
MAX_FILE_BYTES = 10_000_000
#: Deepest nesting of tables and lists: scenarios nest 6 levels
#: (warehouse.replenishment.classes[0].lead_time.values). Python's parser and the
#: validator recurse per level, so 500 levels ended in a RecursionError.
MAX_DEPTH = 32
