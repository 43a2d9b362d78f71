"""Understanding an instruction, along the flow:

- :mod:`.normalise` — one spelling (NFKC, lower case, quotes aside, numerals, typos), with
  :mod:`.spelling` for what people type (Traditional Chinese, English inside Chinese, chat
  shorthand, numbers as words, is-it-a-word for typo fixes);
- :mod:`.clauses` — the message's clauses (punctuation, "and/then/然后", run-on dictation, one
  verb for several parts);
- :mod:`.wanted` — one clause made ready to read (politeness off, what a negated clause
  before it leaves to it, a span said with "the rest goes");
- :mod:`.read` — one clause → its steps: speech acts (:mod:`.acts`: question, help, undo…) or
  an intent with slots (:mod:`.intents`, :mod:`.titles`, :mod:`.sound`, :mod:`.objects`,
  :mod:`.removal`, :mod:`.spans`, over the word families of :mod:`.lexicon` and the times of
  :mod:`.times`);
- :mod:`.plan` — negation and questions per clause, what one clause leaves for the next
  (:mod:`.context`), and the ordered steps.
"""
