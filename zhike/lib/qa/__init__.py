"""Quality inspection (智能质检) of desk conversations and live sensitive-word control.

- :mod:`~zhike.lib.qa.matcher`: an Aho-Corasick matcher of sensitive words;
- :mod:`~zhike.lib.qa.words`: the packaged starter list and its categories;
- :mod:`~zhike.lib.qa.sentiment`: lexicon sentiment of customer messages;
- :mod:`~zhike.lib.qa.rules`: the rules applied to a closed conversation;
- :mod:`~zhike.lib.qa.store` and :mod:`~zhike.lib.qa.service`: the ``qa_*`` tables and
  the service the desk and the CLI use.
"""
