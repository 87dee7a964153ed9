// The International Stabilization Force: who develops and backs it, what it is
// made of, what it would do and on whose terms.
// Run against fixtures/gaza_isf.cypher.

// Who leads the development of the International Stabilization Force, and who backs it?
MATCH (o:Organization)-[r:LEADS_DEVELOPMENT_OF|BACKS]->(f:Force {name: 'International Stabilization Force'})
RETURN o.name AS organization, type(r) AS relation, r.role AS role, r.source AS source
ORDER BY organization;

// Which country does the organization developing the force belong to?
MATCH (o:Organization)-[:LEADS_DEVELOPMENT_OF]->(f:Force), (o)-[:PART_OF]->(c:Country)
RETURN o.name AS organization, c.name AS country, f.name AS force
ORDER BY organization;

// What would the force be made of?
MATCH (x)-[r:PART_OF|CONTRIBUTES_TO]->(f:Force {name: 'International Stabilization Force'})
RETURN x.name AS component, labels(x)[0] AS kind, type(r) AS relation, coalesce(r.contribution, x.description) AS detail
ORDER BY component;

// Which borders would the force monitor, and what is its core focus?
MATCH (f:Force {name: 'International Stabilization Force'})-[m:MONITORS_BORDER_WITH]->(c:Country)<-[:BORDERS]-(p:Place)
RETURN p.name AS border_of, c.name AS border_with, m.core_focus AS core_focus, m.source AS source
ORDER BY border_with;

// What is the force's core focus, in the article's terms?
MATCH (f:Force {name: 'International Stabilization Force'})
UNWIND f.core_focus AS focus
RETURN f.name AS force, focus
ORDER BY focus;

// The deployment would be on terms acceptable to whom, and how does the article call them?
MATCH (f:Force)-[r:DEPLOYED_ON_TERMS_ACCEPTABLE_TO]->(x)
RETURN f.name AS force, x.name AS party, x.aliases AS article_calls_it, r.source AS source
ORDER BY party;

// What is the force meant to achieve, and in the wake of what?
MATCH (f:Force {name: 'International Stabilization Force'})-[a:AIMS_TO_STABILIZE]->(p:Place),
      (f)-[:IN_WAKE_OF]->(e:Event)
RETURN f.name AS force, p.name AS to_stabilize, a.hedge AS hedge, e.name AS in_wake_of, e.description AS ceasefire_state
ORDER BY to_stabilize;
