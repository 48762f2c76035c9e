"""The clinic's knowledge base: loading, chunking, embedding and syncing articles."""
