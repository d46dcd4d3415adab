"""Records of processing (GDPR Art. 30(2)) kept by the processor, exported per client."""
