"""The cognitive acts of a resident, each a step: a generator that yields model requests.

perceive (`observing`), plan (`planning`), act (`acting`), react (`reacting`),
converse (`conversing`), reflect (`reflecting`), the daily summary
(`summarising`), and a user's interview and whisper (`interviewing`).
"""
