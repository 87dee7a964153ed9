// Who would take part in the force: openness, critical members, ties with and
// influence on Hamas, objections and pressure.
// Run against fixtures/gaza_isf.cypher.

// Which countries have shown openness to joining the force, and what concerns remain?
MATCH (c:Country)-[o:OPEN_TO_JOINING]->(f:Force)
RETURN c.name AS country, f.name AS force, o.concerns AS concerns
ORDER BY country;

// Whose participation is considered critical, and why?
MATCH (c:Country)-[r:CONSIDERED_CRITICAL_FOR]->(f:Force)
RETURN c.name AS country, f.name AS force, r.reason AS reason
ORDER BY country;

// Which countries are both open to joining and considered critical?
MATCH (c:Country)-[:OPEN_TO_JOINING]->(f:Force)<-[:CONSIDERED_CRITICAL_FOR]-(c)
RETURN c.name AS country
ORDER BY country;

// Which critical countries have not been reported as open to joining?
MATCH (c:Country)-[:CONSIDERED_CRITICAL_FOR]->(f:Force)
WHERE NOT (c)-[:OPEN_TO_JOINING]->(f)
RETURN c.name AS country
ORDER BY country;

// Who has ties with or influence on Hamas?
MATCH (x)-[r:HAS_TIES_WITH|INFLUENCES]->(h:Organization {name: 'Hamas'})
RETURN x.name AS actor, type(r) AS link, coalesce(r.target, h.name) AS target
ORDER BY actor, link;

// Who objects to or pushes for whose participation, and why?
MATCH (x)-[r:OBJECTS_TO_PARTICIPATION_OF|PUSHES_FOR_PARTICIPATION_OF]->(c:Country)
RETURN x.name AS actor, type(r) AS stance, c.name AS country, r.reason AS reason
ORDER BY stance, actor;

// Who helped get the Gaza ceasefire, who criticized that country, and whom does the critic lead?
MATCH (c:Country)-[h:HELPED_NEGOTIATE]->(e:Event {name: 'Gaza ceasefire'})
OPTIONAL MATCH (p:Person)-[cr:CRITICIZED]->(c)
OPTIONAL MATCH (p)-[:LEADS]->(l:Country)
RETURN c.name AS negotiator, h.assessment AS help, p.name AS critic, cr.wording AS wording,
       cr.assessment AS criticism_called, l.name AS critic_leads, h.source AS source
ORDER BY negotiator, critic;

// Where does each country stand on the force: open to joining, critical, objected to, pushed for?
MATCH (c:Country), (f:Force {name: 'International Stabilization Force'})
RETURN c.name AS country,
       exists((c)-[:OPEN_TO_JOINING]->(f)) AS open_to_joining,
       exists((c)-[:CONSIDERED_CRITICAL_FOR]->(f)) AS critical,
       exists((:Country)-[:OBJECTS_TO_PARTICIPATION_OF]->(c)) AS objected_to,
       exists((:Group)-[:PUSHES_FOR_PARTICIPATION_OF]->(c)) AS pushed_for
ORDER BY country;

// Who told Axios what about Turkey and Netanyahu?
MATCH (g:Group)-[s:SPOKE_TO]->(m:Media)
RETURN s.speaker AS speaker, g.name AS one_of, m.name AS told, s.evidence AS said
ORDER BY speaker;
