"""PERSONA: persona-conditioned answers judged by a critic; leave-one-out, intersectionality, pass@k."""
