"""The quality judge: a rubric, the local judge's measurable signals, and what a judgement holds."""
