"""QuickJS sandbox: runs JavaScript with limits and host operations. Knows nothing of connectors."""
