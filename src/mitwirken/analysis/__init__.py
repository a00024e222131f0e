"""Analysis of statements in bulk: grouping of mass objections (``nearduplicates``)."""
