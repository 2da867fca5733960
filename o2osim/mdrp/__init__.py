"""The Meal Delivery Routing Problem (Reyes et al. 2018) on Grubhub's public instances.

Load an instance (:mod:`.loader`), simulate a day under a dispatch policy
(:mod:`.model`, :mod:`.policies`), write the solution in the instance set's format
(:mod:`.solution`), check it (:mod:`.checker`) and measure it (:mod:`.metrics`,
:mod:`.bench`). Nothing here is imported by the rest of o2osim at start-up.
"""
