"""Delivery changes: intercept or return a parcel, delivery windows, receiver phone, pickups.

The domain objects (:mod:`.domain`), the client contract (:mod:`.base`) and its HTTP
(:mod:`.http`) and in-process (:mod:`.local`) implementations.
"""
