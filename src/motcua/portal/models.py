"""The portal keeps no models of its own: the feedback and ratings citizens leave here live in the
feedback app (motcua.feedback), whose services every door calls."""
