"""Understanding an instruction, along the flow:

- :mod:`.normalise` — one spelling (NFKC, lower case, quotes aside, numerals, typos);
- :mod:`.plan` — clauses, each read as a speech act (:mod:`.acts`: question, negation, help…)
  or an intent with slots (:mod:`.intents`, :mod:`.sound`, :mod:`.objects`, :mod:`.spans`,
  over the word families of :mod:`.lexicon` and the times of :mod:`.times`), what one clause
  leaves for the next (:mod:`.context`), and the ordered steps.
"""
