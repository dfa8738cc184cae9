"""The knowledge base (知识库): entries, review, import/export and retrieval."""
