"""Regenerate the notebooks from this script (keeps them reviewable as Python).

Run: python notebooks/build_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def _notebook(cells: list) -> nbformat.NotebookNode:
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids keep regenerated notebooks diff-free
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def quickstart() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# o2osim quick start\n\n"
            "Load the bundled Wenzhou baseline, run it, and read its tables. Times are "
            "**minutes since the scenario start**, money is **CNY**, distances **km**."
        ),
        new_code_cell(
            "from pathlib import Path\n"
            "import o2osim\n\n"
            "ROOT = Path.cwd() if (Path.cwd() / 'configs').exists() else Path.cwd().parent\n"
            "scenario = o2osim.load_scenario(ROOT / 'configs' / 'wenzhou_baseline.toml')\n"
            "scenario.scenario"
        ),
        new_markdown_cell(
            "Run a shorter horizon so the notebook stays quick; `overrides` take the same "
            "dotted keys as `o2osim run --set`."
        ),
        new_code_cell(
            "result = o2osim.simulate(scenario, seed=1, horizon='5d',\n"
            "                         overrides=['scenario.warmup=\"1d\"'])\n"
            "result.orders.head()"
        ),
        new_code_cell(
            "kpis = result.kpis\n"
            "kpis[kpis.group.isin(['overall', 'resource'])].pivot_table(\n"
            "    index=['group', 'name'], columns='kpi', values='value')"
        ),
        new_markdown_cell("## Where does the time go?\nMean minutes spent between stages:"),
        new_code_cell(
            "o = result.orders[result.orders.outcome == 'delivered']\n"
            "stages = {'reserve': o.reserved - o.placed, 'customs': o.cleared - o.reserved,\n"
            "          'pick': o.picked - o.cleared, 'pack': o.packed - o.picked,\n"
            "          'ride': o.delivered - o.packed}\n"
            "{k: round(v.mean(), 2) for k, v in stages.items()}"
        ),
        new_code_cell(
            "ax = (o.lead_time_min / 60).plot.hist(bins=60, title='lead time (hours)')\n"
            "ax.axvline(scenario.channels['online_delivery'].promise / 60, color='k', ls='--');"
        ),
        new_markdown_cell(
            "## Teaching: the picking station is an M/M/c queue\n"
            "Strip the scenario down (flat arrivals, one line per order, exponential pick "
            "times, unlimited stock, only the `pick` stage) and compare with Erlang C."
        ),
        new_code_cell(
            "from o2osim.theory import mmc_mean_wait\n"
            "teaching = o2osim.with_overrides(scenario, [\n"
            "    'customers.segments[0].hourly_profile=\"flat\"',\n"
            "    'customers.segments[0].weekday_profile=\"flat\"',\n"
            "    'customers.segments[0].arrivals_per_day=4320',   # 3 per minute\n"
            "    'catalogue.items_per_order=1.0',\n"
            "    'warehouse.unlimited_stock=true', 'warehouse.pickers=4',\n"
            "    'scenario.warmup=\"12h\"',\n"
            '    \'warehouse.pick_time={dist="exponential", mean="1min"}\',\n'
            "    'channels.online_delivery.route=[\"pick\"]',\n"
            "])\n"
            "waits = [o2osim.simulate(teaching, seed=s, horizon='3d').kpi('resource', 'pick', "
            "'mean_wait')\n"
            "         for s in range(1, 6)]\n"
            "print('simulated W_q per replication:', [round(w, 3) for w in waits])\n"
            "print('Erlang C W_q:', round(mmc_mean_wait(3.0, 1.0, 4), 3), 'min')"
        ),
        new_markdown_cell("Save a full results folder (tables, KPIs, charts) like the CLI does:"),
        new_code_cell(
            "import tempfile\n"
            "folder = result.save(Path(tempfile.mkdtemp()) / 'baseline-5d')\n"
            "sorted(p.name for p in folder.iterdir())"
        ),
    ]
    return _notebook(cells)


EXPERIMENT_TOML = """
[experiment]
name = "pickers_small"
scenario = "{scenario}"
replications = 3
seed = 7
horizon = "4d"
warmup = "1d"
report_kpis = ["overall/all/lead_time_p95", "resource/pick/mean_wait"]

[factors]
"warehouse.pickers" = [6, 9, 12]
"""


def explore_results() -> nbformat.NotebookNode:
    setup = (
        "import tempfile\n"
        "from pathlib import Path\n"
        "from o2osim.experiment import load_experiment\n"
        "from o2osim.runner import load_results, run_experiment\n\n"
        "ROOT = Path.cwd() if (Path.cwd() / 'configs').exists() else Path.cwd().parent\n"
        "work = Path(tempfile.mkdtemp())\n"
        f"EXPERIMENT = {EXPERIMENT_TOML!r}\n"
        "scenario = (ROOT / 'configs' / 'wenzhou_baseline.toml').as_posix()\n"
        "(work / 'experiment.toml').write_text(EXPERIMENT.format(scenario=scenario))\n"
        "print((work / 'experiment.toml').read_text())\n"
        "experiment = load_experiment(work / 'experiment.toml')\n"
        "folder = run_experiment(experiment, work / 'results', workers=2)\n"
        "sorted(p.name for p in folder.iterdir())"
    )
    cells = [
        new_markdown_cell(
            "# Exploring an experiment's results\n\n"
            "An experiment runs variants x replications with common random numbers "
            "(replication *r* sees the same customers in every variant). From the command "
            "line: `o2osim sweep experiments/pickers_riders.toml`. Here we run a small one "
            "from Python, then load and compare its tables."
        ),
        new_code_cell(setup),
        new_markdown_cell("`load_results` gives every table of the folder:"),
        new_code_cell("tables = load_results(folder)\ntables['variants']"),
        new_code_cell(
            "summary = tables['summary']\n"
            "summary[(summary.group == 'overall') & summary.kpi.isin(\n"
            "    ['lead_time_mean', 'lead_time_p95', 'on_time_rate'])][\n"
            "    ['label', 'kpi', 'mean', 'ci_half_width', 'unit']]"
        ),
        new_markdown_cell(
            "Paired differences against the baseline variant are much tighter than two "
            "separate CIs, because both variants saw the same customers:"
        ),
        new_code_cell(
            "d = tables['differences']\n"
            "d[(d.group == 'resource') & (d.name == 'pick') & (d.kpi == 'mean_wait')][\n"
            "    ['label', 'baseline', 'mean_diff', 'ci_low', 'ci_high']]"
        ),
        new_code_cell(
            "runs = tables['runs']\n"
            "waits = runs[(runs.group == 'resource') & (runs.name == 'pick')\n"
            "             & (runs.kpi == 'mean_wait')]\n"
            "waits.pivot(index='replication', columns='label', values='value')"
        ),
        new_markdown_cell("The charts and report that `o2osim report` rebuilds:"),
        new_code_cell(
            "from IPython.display import Image, Markdown, display\n"
            "display(Image(filename=str(folder / 'charts' / 'kpi_bars.png')))\n"
            "display(Markdown((folder / 'report.md').read_text().split('## Paired')[0]))"
        ),
    ]
    return _notebook(cells)


if __name__ == "__main__":
    from build_behaviour_notebook import customer_behaviour  # a module of its own: size

    nbformat.write(quickstart(), HERE / "quickstart.ipynb")
    nbformat.write(explore_results(), HERE / "explore_results.ipynb")
    nbformat.write(customer_behaviour(), HERE / "customer_behaviour.ipynb")
