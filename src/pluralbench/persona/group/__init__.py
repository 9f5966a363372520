"""Group-level alignment: one answer for several different people, judged for each of them."""
