# Hooks for the API contract test (tests/integration/api-schemathesis.test.ts).
import schemathesis

# tus chunks are plain bytes under their own media type.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
