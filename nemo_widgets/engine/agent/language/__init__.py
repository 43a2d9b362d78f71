"""Understanding an instruction: :mod:`.normalise` → :mod:`.plan` (clauses) → :mod:`.intents`,
:mod:`.objects`, :mod:`.spans` (intent and slots, over the word families of :mod:`.lexicon`
and the times of :mod:`.times`) → ordered steps."""
