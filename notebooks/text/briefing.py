# ---
# jupyter:
#   jupytext:
#     formats: ipynb,text//py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
as_of = "2024-10-24"
since = ""
title = "Briefing"  # data/briefing.yml gives the subject's title
marking = "UNCLASSIFIED // OPEN SOURCE"
headline_indicators = ""  # ids from data/reference/indicators.csv; blank: data/briefing.yml's
review_days = None  # flag judgments unreviewed this long with newer claims; None: briefing.yml's
data_dir = "../data"
claims_path = ""
sources_dir = ""
judgments_path = ""
gaps_path = ""
events_path = ""
validated = False  # True when briefing render validates the data itself

# %% tags=["remove-cell"]
from IPython.display import HTML, display

from briefing import sections
from briefing.evidence import load_evidence

inputs = [claims_path, sources_dir, judgments_path, gaps_path, events_path]
everything = load_evidence(data_dir, *[path or None for path in inputs], validate=not validated)
scope = sections.scope(everything, as_of, since, headline_indicators, review_days)

# %% [markdown]
# ## Bottom line up front

# %%
display(HTML(sections.bottom_line(scope)))

# %%
display(HTML(sections.what_changed(scope)))

# %% [markdown]
# ## Key judgments
#
# Each judgment states its likelihood in the standard estimative words of ICD 203, with the
# probability range they stand for, and its confidence level separately. The claims it rests on
# link to the appendix.

# %%
display(HTML(sections.key_judgments(scope)))

# %% [markdown]
# ## Figures given
#
# The figures given for each headline indicator, each as its claimant stated it, with who gave
# it, when, and its status; the chart shows how the estimates moved over time.

# %%
display(HTML(sections.figures(scope)))

# %% [markdown]
# ## Timeline
#
# Dated events and statements, from the earliest event on record onwards. Events carry the
# precision their sources give (a month where no day is known).

# %%
display(HTML(sections.timeline(scope)))

# %% [markdown]
# ## Who says what
#
# Which actor asserts or denies what, by topic. Denials are listed with whether they still stand
# (a denial is withdrawn once the same government asserts the contrary) and with the assertions
# on the same topic that contradict them.

# %%
display(HTML(sections.who_says_what(scope)))

# %% [markdown]
# ## Corroboration
#
# For each key judgment: how many actors support it, how many of them are independent (speak
# for different governments or bodies), from how many countries and sources, and which standing
# denials contradict it.

# %%
display(HTML(sections.corroboration(scope)))

# %% [markdown]
# ## Intelligence gaps
#
# Open questions the sources raise, and the claims that raise them.

# %%
display(HTML(sections.gaps(scope)))

# %% [markdown]
# ## Sources and claims
#
# Every claim, grouped by source, with its Admiralty grade: source reliability A–F and
# information credibility 1–6.

# %%
display(HTML(sections.sources_and_claims(scope)))

# %% tags=["remove-cell"]
sections.facts(scope)
