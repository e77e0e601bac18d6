"""Phase estimation: Kitaev rounds with feedback and their outcome laws (``kitaev``)."""
