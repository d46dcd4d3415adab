"""Support access: platform staff read a tenant's personal data only under a live,
time-boxed grant that the tenant's client admin gave, every read audited."""
