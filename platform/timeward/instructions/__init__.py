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

from timeward.domain_shape import At, Domain, Every, Periodic

DOMAIN = Domain(
    name="instructions",
    controllers=(
        "timeward.instructions.routes:InstructionsController",
        "timeward.instructions.routes:LegalHoldsController",
        "timeward.instructions.routes:PublicInstructionsController",
        "timeward.instructions.platform_routes:PlatformInstructionsController",
        "timeward.instructions.platform_routes:PlatformLegalHoldsController",
    ),
    job_modules=("timeward.instructions.jobs",),
    periodic=(
        Periodic("timeward.instructions.jobs:reconcile_instructions", Every(minutes=1)),
        Periodic("timeward.instructions.jobs:escalate_instructions", At(minute=7)),  # hourly
    ),
)
