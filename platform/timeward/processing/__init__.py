"""Records of processing (GDPR Art. 30(2)) kept by the processor, exported per client."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="processing",
    controllers=(
        "timeward.processing.routes:ProcessingRecordsController",
        "timeward.processing.routes:PlatformProcessingRecordsController",
    ),
)
