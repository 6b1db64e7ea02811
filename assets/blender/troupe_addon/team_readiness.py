# Whether the team can take a Blender job, in words the designer can act on, from the agent's
# GET /api/team answer (members with their advertised engines).

BLENDER_ENGINE = "blender"


def team_problem(team):
    """None when some online teammate (or this machine) runs Blender; else what to do about it."""
    if not team or len(team.get("members", [])) < 2:
        return "You have no teammates yet: add a computer to your team in Troupe."
    others = [m for m in team["members"] if not m.get("self")]
    online = [m for m in others if m.get("online")]
    if not online:
        return "None of your teammates is online right now."
    def runs_blender(member):
        engines = (member.get("capacity") or {}).get("engines") or []
        return any(e.get("id") == BLENDER_ENGINE for e in engines)
    if not any(runs_blender(m) for m in team["members"] if m.get("online") or m.get("self")):
        return "No teammate has Blender installed: install Blender on a teammate's computer (Troupe finds it by itself)."
    return None


def contributions(detail, team):
    """Per machine: (name, tasks done, seconds of work), from GET /api/jobs/<id>."""
    names = {m["deviceId"]: m.get("name", m["deviceId"][:8]) for m in (team or {}).get("members", [])}
    totals = {}
    for task in detail.get("tasks", []):
        for attempt in task.get("attempts", []):
            if attempt.get("outcome") != "done":
                continue
            done, work_ms = totals.get(attempt["workerId"], (0, 0))
            totals[attempt["workerId"]] = (done + 1, work_ms + (attempt.get("workMs") or 0))
    return sorted(((names.get(w, w[:8]), n, ms / 1000) for w, (n, ms) in totals.items()), key=lambda row: -row[1])
