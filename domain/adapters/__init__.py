"""Infrastructure behind the rules: the Postgres engine, Redis (cache, rate limits), media
storage (S3 or local files) and PNG chart drawing. Capabilities use these; nothing here knows a
business rule.
"""
