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
title = "North Korean troops in Russia"
marking = "UNCLASSIFIED // OPEN SOURCE"
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
from briefing.evidence import known_on, load_evidence, previous_date

inputs = [claims_path, sources_dir, judgments_path, gaps_path, events_path]
everything = load_evidence(data_dir, *[path or None for path in inputs], validate=not validated)
evidence = known_on(everything, as_of)
since = since or previous_date(everything, as_of)

# %% [markdown]
# ## Bottom line up front

# %%
display(HTML(sections.bottom_line(evidence)))

# %%
display(HTML(sections.what_changed(everything, as_of, since)))

# %% [markdown]
# ## Key judgments
#
# Each judgment states its likelihood in the standard estimative words of ICD 203, with the
# probability range they stand for, and its confidence level separately. The claims it rests on
# link to the appendix.

# %%
display(HTML(sections.key_judgments(evidence)))

# %% [markdown]
# ## Troop numbers
#
# Every figure claimed for North Korean troops sent to, pledged to or being prepared for Russia,
# with who gave it, when, and its status.

# %%
display(HTML(sections.troop_numbers(evidence)))

# %% [markdown]
# ## Timeline
#
# Dated events and statements, from the earliest event on record onwards. Events carry the
# precision their sources give (a month where no day is known).

# %%
display(HTML(sections.timeline(evidence)))

# %% [markdown]
# ## Who says what
#
# Which claimant asserts or denies what, by topic. Denials are listed with the assertions on the
# same topic that contradict them.

# %%
display(HTML(sections.who_says_what(evidence)))

# %% [markdown]
# ## Corroboration
#
# For each key judgment: how many independent claimants, countries and sources support it, and
# which denials contradict it.

# %%
display(HTML(sections.corroboration(evidence)))

# %% [markdown]
# ## Intelligence gaps
#
# Open questions the sources raise, and the claims that raise them.

# %%
display(HTML(sections.gaps(evidence)))

# %% [markdown]
# ## Sources and claims
#
# Every claim, grouped by source, with its Admiralty grade: source reliability A–F and
# information credibility 1–6.

# %%
display(HTML(sections.sources_and_claims(evidence)))
