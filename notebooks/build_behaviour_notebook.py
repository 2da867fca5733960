"""The customer-behaviour teaching notebook, built like the others (see build_notebooks.py).

Run: python notebooks/build_notebooks.py (writes every notebook, this one included).
"""

from __future__ import annotations

import nbformat
from build_notebooks import _notebook
from nbformat.v4 import new_code_cell, new_markdown_cell


def customer_behaviour() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Customer behaviour in O2O retail (for teaching)\n\n"
            "Four textbook ideas about customers, each shown in a short simulation: how they "
            "**choose a channel** (multinomial logit), what they do when the **shelf is "
            "empty** (Gruen et al. 2002), how they move between the store and the app "
            "(**showrooming, webrooming**), and when they **give up** on a queue "
            "(patience). Times are **minutes**, money **CNY**, distances **km**. Runs are "
            "kept to 2-3 simulated days so the notebook finishes in seconds; real studies "
            "use longer horizons and more replications."
        ),
        new_code_cell(
            "from pathlib import Path\n"
            "import numpy as np\n"
            "import pandas as pd\n"
            "import o2osim\n\n"
            "ROOT = Path.cwd() if (Path.cwd() / 'configs').exists() else Path.cwd().parent\n"
            "SHORT = ['scenario.warmup=\"12h\"']   # 12 h warm-up for the 3-day runs"
        ),
        new_markdown_cell(
            "## 1. Channel choice: the multinomial logit\n\n"
            "In `wenzhou_channel_choice` a resident picks one of three channels: 3 h delivery "
            "from the bonded warehouse, 30 min delivery from a downtown store, or take-away "
            "at that store. Each channel *j* gets a utility from what it offers this "
            "customer, and the choice probabilities are the logit (McFadden 1974):\n\n"
            "$$V_j = c_j + \\beta_{cny}\\,p_j + \\beta_{h}\\,t_j + \\beta_{km}\\,d_j + "
            "\\beta_{trust}\\,\\tau_j, \\qquad P_j = \\frac{e^{V_j}}{\\sum_k e^{V_k}}$$\n\n"
            "- $p_j$ price (CNY) = basket x (1 + 9.1% cross-border tax) + the delivery fee, "
            "waived from 99 CNY;\n"
            "- $t_j$ promised time (hours); $d_j$ round trip (km) if the customer travels "
            "to the store; $\\tau_j$ trust (0-1).\n\n"
            "By hand, for one customer with a 150 CNY basket living 3 km from the store:"
        ),
        new_code_cell(
            "choice = o2osim.load_scenario(ROOT / 'configs' / 'wenzhou_channel_choice.toml')\n"
            "resident = choice.customers.segments[0]\n"
            "beta, fees, tax = resident.logit, choice.economics.delivery_fees, "
            "choice.customs.tax_rate\n"
            "names = list(resident.channels)\n\n"
            "def by_hand(basket_cny, home_km):\n"
            "    fee = [fees[c].fee_cny if c in fees and basket_cny < fees[c].free_above_cny "
            "else 0.0\n"
            "           for c in names]\n"
            "    price = basket_cny * (1 + tax) + np.array(fee)\n"
            "    hours = np.array([choice.channels[c].promise / 60 for c in names])\n"
            "    km = np.array([2 * home_km if choice.channels[c].offer.customer_travels "
            "else 0.0\n"
            "                   for c in names])\n"
            "    trust = np.array([choice.channels[c].offer.trust for c in names])\n"
            "    const = np.array([beta.constants.get(c, 0.0) for c in names])\n"
            "    V = (const + beta.per_cny * price + beta.per_promised_hour * hours\n"
            "         + beta.per_travel_km * km + beta.per_trust * trust)\n"
            "    P = np.exp(V) / np.exp(V).sum()\n"
            "    return pd.DataFrame({'price_cny': price, 'promised_h': hours, "
            "'round_trip_km': km,\n"
            "                         'trust': trust, 'V': V, 'P': P}, index=names).round(4)\n\n"
            "by_hand(150.0, 3.0)"
        ),
        new_markdown_cell(
            "The same customer as the simulator's own `Chooser` sees them (it builds the "
            "offers from the scenario file), and a 60 CNY basket, which pays the delivery "
            "fees: the store's take-away gains."
        ),
        new_code_cell(
            "from o2osim.world import World\n"
            "chooser = World(choice).factories[0].chooser   # the resident segment's choice\n"
            "for basket in (150.0, 60.0):\n"
            "    print(f'{basket:5.0f} CNY  by hand:', by_hand(basket, 3.0).P.round(3).tolist(),\n"
            "          ' Chooser:', np.round(chooser.probabilities(basket, 0.0, 0.0, 3.0), 3)"
            ".tolist())"
        ),
        new_markdown_cell(
            "Now let 3 days of customers choose. Realised shares (KPI group `choice`) mix "
            "customers of every basket size and distance, so they differ from the one "
            "example; averaging each realised order's logit probabilities gives the model's "
            "prediction. (Residents also remember late deliveries, which moves their trust a "
            "little.)"
        ),
        new_code_cell(
            "run = o2osim.simulate(choice, seed=1, horizon='3d', overrides=SHORT)\n"
            "shares = run.kpis.query(\"group == 'choice'\").pivot(index='name', columns='kpi', "
            "values='value')\n"
            "print(shares.round(3).to_string())\n\n"
            "o = run.orders.query(\"segment == 'resident' and after_warmup\")\n"
            "predicted = np.mean([chooser.probabilities(v, x, y, d) for v, x, y, d in\n"
            "                     zip(o.value_cny, o.x_km, o.y_km, o.distance_km)], axis=0)\n"
            "print('resident, mean logit probability:',\n"
            "      {n: round(float(p), 3) for n, p in zip(names, predicted)})"
        ),
        new_markdown_cell(
            "## 2. Stock-outs: what customers do when the shelf is empty\n\n"
            "A stripped pool: 40 SKUs, each with Poisson demand of 10 units a day, one unit "
            "per order, a base-stock level S = 12 refilled one-for-one with a lead time "
            "L = 1 day. What happens to the fill rate depends on the customers:\n\n"
            "- **they leave** (lost sales): the units on order form an M/G/S/S queue "
            "(Palm's theorem), so the fill rate is $1 - B(S, \\lambda L)$ with Erlang's loss "
            "formula $B(S, a) = \\frac{a^S / S!}{\\sum_{k=0}^{S} a^k / k!}$;\n"
            "- **they wait** (backorders): an order is filled from the shelf if the "
            "lead-time demand $D \\sim \\mathrm{Poisson}(\\lambda L)$ is below S, so the fill "
            "rate is $P(D \\le S - 1)$."
        ),
        new_code_cell(
            "from o2osim.theory import erlang_b, poisson_fill_rate\n"
            "from o2osim.validation import textbook_scenario\n\n"
            "S, DEMAND, SKUS = 12, 10.0, 40   # units; units per SKU per day (= lambda L); SKUs\n\n"
            "def pool(response, horizon='12d'):\n"
            "    return textbook_scenario(\n"
            "        ['reserve'], per_minute=DEMAND * SKUS / 1440, horizon=horizon, "
            "warmup='2d',\n"
            "        catalogue={'skus': SKUS, 'popularity': {'dist': 'zipf', 'a': 0.0}},\n"
            "        customers={'stockout': response},\n"
            "        warehouse={'unlimited_stock': False, 'initial_stock_units': S,\n"
            "                   'replenishment': {'policy': 'base_stock', 'review': '0s',\n"
            "                                     'order_up_to_units': S,\n"
            "                                     'lead_time': {'dist': 'deterministic', "
            "'value': '1d'}}})\n\n"
            "only = {'substitute': 0, 'switch_channel': 0, 'wait': 0, 'leave': 0}\n"
            "theory = {'leave': 1 - erlang_b(S, DEMAND), 'wait': poisson_fill_rate(DEMAND, S)}\n"
            "for response, exact in theory.items():\n"
            "    sim = [o2osim.simulate(pool({**only, response: 1}), seed=s)"
            ".kpi('overall', 'all', 'fill_rate')\n"
            "           for s in range(1, 5)]\n"
            "    print(f'{response:5s} simulated fill rate {np.mean(sim):.4f} '\n"
            "          f'(seeds: {np.round(sim, 4).tolist()})   theory {exact:.4f}')"
        ),
        new_markdown_cell(
            "Real shoppers mix the responses. Gruen, Corsten and Bharadwaj (2002) found "
            "worldwide: 45% buy a **substitute**, 31% buy elsewhere or through another "
            "channel (**switch_channel**), 15% **wait**, 9% do **not buy** (**leave**). "
            "These are the defaults of a segment's `stockout` table. Here the pool has no "
            "second channel, so a switch is a sale lost to another retailer."
        ),
        new_code_cell(
            "gruen = o2osim.simulate(pool({}), seed=1)   # {} = the Gruen defaults\n"
            "kinds = ['substitute', 'switch_channel', 'wait', 'leave']\n"
            "counts = [gruen.kpi('overall', 'all', f'stockout_{k}') for k in kinds]\n"
            "stockouts = gruen.kpi('overall', 'all', 'stockouts')\n"
            "expected = [stockouts * p for p in (0.45, 0.31, 0.15, 0.09)]\n"
            "print({k: int(c) for k, c in zip(kinds, counts)})\n"
            "ax = pd.DataFrame({'simulated': counts, 'Gruen share x stock-outs': expected},\n"
            "                  index=kinds).plot.bar(rot=0, title=f'{stockouts:.0f} stock-outs')\n"
            "ax.set_ylabel('orders');"
        ),
        new_markdown_cell(
            "## 3. Showrooming and webrooming\n\n"
            "`xiasha_journeys` is the Hangzhou Xiasha bonded experience store with its online "
            "shop (GfK 2014: about 28% showroom, 41% webroom):\n\n"
            "- **showrooming**: a visitor who does not buy (probability $1 - q$, with store "
            "conversion $q = 0.45$) orders the same basket online with probability "
            "$p = 0.28$, so showroom orders per visit $= (1 - q)\\,p$;\n"
            "- **webrooming**: a share $p = 0.41$ of online customers go to the store "
            "instead and buy there with probability 0.9;\n"
            "- a **door wait** over 15 min multiplies the purchase probability by 0.7.\n\n"
            "We run the store as bundled (capacity 400 visitors in the zone) and crowded "
            "(capacity 200), 3 days each."
        ),
        new_code_cell(
            "xiasha = o2osim.load_scenario(ROOT / 'configs' / 'xiasha_journeys.toml')\n"
            "runs = {cap: o2osim.simulate(xiasha, seed=1, horizon='3d',\n"
            "                             overrides=SHORT + [f'stores[0].capacity={cap}'])\n"
            "        for cap in (400, 200)}\n"
            "store = pd.DataFrame({f'capacity {cap}': r.kpis.query(\"group == 'store'\")"
            ".set_index('kpi').value\n"
            "                      for cap, r in runs.items()})\n"
            "print(store.loc[['visitors', 'entered', 'buyers', 'conversion_rate', "
            "'showroomed',\n"
            "                 'webroomers', 'webroomer_conversion_rate', 'mean_door_wait']]"
            ".round(3).to_string())\n"
            "print('run counters:', {k: runs[400].info.counters[k]\n"
            "                        for k in ('showroomed', 'webroomed', 'bad_door_waits')})"
        ),
        new_markdown_cell("Check the two journey formulas on the bundled run:"),
        new_code_cell(
            "o, horizon = runs[400].orders, runs[400].info.horizon\n"
            "# walk-in visitors who got in, early enough that a showroom order (3 h later) "
            "fits\n"
            "visits = o[(o.segment == 'walk_in') & (o.parent < 0) & o.after_warmup\n"
            "           & o.entered.notna() & (o.placed < horizon - 180)]\n"
            "q = (visits.outcome != 'no_purchase').mean()\n"
            "per_visit = o.parent.isin(visits.order_id).sum() / len(visits)\n"
            "print(f'walk-in conversion q = {q:.3f}; showroom orders per visit {per_visit:.3f}'\n"
            "      f' vs (1 - q) p = {(1 - q) * 0.28:.3f}')\n"
            "online = o[(o.segment == 'online') & o.after_warmup]\n"
            "print(f'webroomers per online customer {online.webroomed.notna().mean():.3f} '\n"
            "      f'vs p = 0.41')"
        ),
        new_markdown_cell(
            "Conversion with and without a long door wait (more than 15 min between joining "
            "the door queue and entering), in the crowded store. Expected: $q$ and $0.7\\,q$, "
            "with $q = 0.45$ for walk-ins and $0.9$ for webroomers."
        ),
        new_code_cell(
            "o = runs[200].orders.query('after_warmup and left_store.notna()')\n"
            "split = pd.DataFrame({\n"
            "    'customer': np.where(o.webroomed.notna(), 'webroomer', 'walk-in'),\n"
            "    'door_wait': np.where(o.entered - o.door_queued > 15, 'over 15 min', "
            "'up to 15 min'),\n"
            "    'bought': o.outcome != 'no_purchase'})\n"
            "split.groupby(['customer', 'door_wait']).bought.agg(conversion='mean', "
            "visitors='size').round(3)"
        ),
        new_markdown_cell(
            "## 4. Patience: balking and reneging\n\n"
            "A visitor who finds the queue too long may not join (**balked**); one who joins "
            "leaves if service has not begun within their patience (**reneged**). Here "
            "patience is exponential with mean 20 min at the store door and the staff "
            "checkout; with exponential service this is the Erlang-A (M/M/c+M) queue "
            "(`o2osim.theory.erlang_a`). Where did visitors give up? (`failed_at` is "
            "`store_visit`; no `entered` stamp means at the door.) This scenario sets no "
            "`balk_at`, so nobody balks yet: see exercise 3."
        ),
        new_code_cell(
            "gave_up = pd.concat({f'capacity {cap}': r.orders.query(\n"
            "    \"after_warmup and outcome in ['balked', 'reneged']\")\n"
            "    .assign(place=lambda d: np.where(d.entered.isna(), 'door', 'checkout'))\n"
            "    .groupby(['outcome', 'failed_at', 'place']).size() for cap, r in "
            "runs.items()}, axis=1)\n"
            "gave_up.fillna(0).astype(int)"
        ),
        new_markdown_cell(
            "## Exercises for students\n\n"
            "1. **Price sensitivity.** Make residents twice as price-sensitive "
            "(`overrides=['customers.segments[0].logit.per_cny=-0.024']`) and rerun part 1. "
            "Which channel gains, and why does it matter mostly for baskets under 99 CNY? "
            "Check your answer with `by_hand`.\n"
            "2. **Impatient backorders.** In part 2, give waiting customers a patience: "
            "`pool({**only, 'wait': 1, 'wait_patience': '6h'})`. How many waiting orders "
            "are now cancelled (`outcome == 'cancelled'`), and does the fill rate change?\n"
            "3. **Queues and reneging.** Raise the store's capacity "
            "(`stores[0].capacity=600`) or the visitors' patience "
            '(`customers.segments[0].patience.time.mean="40min"`, and `segments[1]` for '
            "the webroomers). How do `reneged_at_door` and the store's buyers move? Then "
            "set `customers.segments[0].patience.balk_at=30` (a visitor who finds 30 "
            "waiting walks away) and see where visitors now give up."
        ),
    ]
    return _notebook(cells)
