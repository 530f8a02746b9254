"""What a run's residents could know, from its scenario and event log (never from answers).

- of an intention: who could know by a tick (`metrics.exposure`: the one who
  intends it, then whoever was told by someone who knew, in words naming one of
  the probe's `expect` phrases);
- of a person: whether the resident knew them from the start (a relationship
  in the scenario) or has talked with them since.
"""

from __future__ import annotations

from sim.experiments import metrics as m
from sim.experiments.probes import ProbeQuestion
from sim.experiments.runview import RunView


class GroundTruth:
    def __init__(self, view: RunView) -> None:
        scenario = view.scenario
        self.exposed: dict[str, dict[str, int]] = {}
        for probe in scenario.probes:
            if probe.intention is not None and probe.intention not in self.exposed:
                intention = scenario.intention(probe.intention)
                self.exposed[intention.id] = m.exposure(intention.resident, probe.expect,
                                                        view.events)
        self.relationships = {r.name: frozenset(x.name for x in r.relationships)
                              for r in scenario.residents}
        self.talks = [(t.a, t.b, t.tick) for t in view.talks]

    def knows_of(self, intention_id: str, agent: str, tick: int) -> bool:
        known = self.exposed.get(intention_id, {})
        return agent in known and known[agent] <= tick

    def knows_person(self, agent: str, person: str, tick: int) -> bool:
        if person in self.relationships.get(agent, frozenset()):
            return True
        return frozenset((agent, person)) in m.talk_pairs(self.talks, tick)

    def could_know(self, probe: ProbeQuestion, tick: int) -> bool:
        """Whether `probe.agent` could know the answer to `probe` at `tick`."""
        if probe.kind == "intention":
            return self.knows_of(probe.subject, probe.agent, tick)
        return self.knows_person(probe.agent, probe.subject, tick)
