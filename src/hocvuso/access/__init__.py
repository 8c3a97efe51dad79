"""THE access policy: who may see and change what. Every read and write of every app goes
through the predicates of this package, and nothing else decides scope (a test fails on a
``can_*`` / ``may_*`` / ``ensure_*`` / ``access_*`` / ``*_q`` defined outside it).

A user's *scope* (:mod:`.scope`) is computed once per request from their active role assignments
and cached on the user object; the modules beside it hold each domain's rules:

| module | rules of |
|---|---|
| :mod:`.units` | communes and villages: who opens a commune, who keeps it, who is an officer |
| :mod:`.registry` | households, people, sensitive data, full ID numbers, registering walk-ins |
| :mod:`.skills` | recording skill events, the catalogue |
| :mod:`.desk` | the support desk |
| :mod:`.teams` | community tech teams, the door-to-door plan, visits |
| :mod:`.mentoring` | digital ambassadors |
| :mod:`.classes` | youth-campaign classes |
| :mod:`.checks` | back-checks of reported results |
| :mod:`.kpi` | dashboards and targets |
| :mod:`.privacy` | consent, data-subject requests, the audit trail |
| :mod:`.roles` | appointing people to roles |

The policy *decides*; the apps' selectors *fetch* with it: a predicate reads the scope and the
plain attributes of an object (``person.commune_id``, ``klass.organiser_id``), a ``*_q`` is a
filter by field paths — so the policy imports nothing above ``accounts`` and ``geo``, and an app's
``<thing>_get(actor, id)`` selector is one line: its queryset, the policy's filter or predicate,
:func:`hocvuso.core.fetch.one`. Out of scope is always answered "not found", never "forbidden":
no hint that the object exists.
"""
