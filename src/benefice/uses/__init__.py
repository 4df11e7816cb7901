"""Kinds of use: the typology's categories of use, the rules and the classifier that set them per publication."""
