"""Client instructions to the processor (docs/architecture.md, Flow B).

Delete a subject's data the client cannot reach, return all data, offboard a tenant;
legal holds; certificates.

For other features:

- ``service.create_instruction(session, tenant_id, NewInstruction, Acting, *, audit,
  received_at=None) -> Instruction`` and ``service.update_subject_request_due(...)``;
- ``finalisers.register_offboarding_finaliser(OffboardingFinaliser)`` for steps that must
  run last in an offboarding (the tenant data key is picked up automatically).

See docs/instructions.md.
"""
