"""zhike's Rasa NLU components for Chinese (registered with the DefaultV1Recipe).

Only components ``config.yml`` names live here: the tokenizer and the pattern entity
extractor. Chinese time parsing is a library (:mod:`zhike.lib.chinese_time`) and the
anger lexicon belongs to the dialogue policy that uses it (:mod:`zhike.dialogue.anger`).
"""
