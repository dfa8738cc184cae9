"""`python -m bench.nlu` (`make bench-nlu`): how the trained NLU model treats real traffic.

It loads a trained model in-process and measures three things, printed as one table and
written to results/bench-nlu.md:

- out of scope: smart-speaker requests of the CAIS corpus, none of which is a
  customer-service request, should end as ``out_of_scope`` or ``nlu_fallback``;
- real customers: labelled customer turns of JD.com chats (JDDC, labels in
  ``bench/nlu/jddc_labels.tsv``) scored as handled right, honest fallback or
  confident wrong;
- the held-out set tests/nlu: intent accuracy and macro-F1.

The corpora are read from ../shared/eval at run time; a section whose files are absent
is skipped with a message.
"""
