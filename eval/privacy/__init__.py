"""The privacy corpus (``dev.yaml``, ``frozen.yaml``) and the measurement of the redactor over it."""
