// The meeting and the draft resolution: who met whom, when, where and about
// what; who drafted and who reported; what the draft proposes and grants.
// Run against fixtures/gaza_isf.cypher.

// Who met whom, when and where?
MATCH (p:Person)-[:PARTICIPATED_IN]->(e:Event {name: 'Waltz meeting with Palestinian diplomats'})<-[:PARTICIPATED_IN]-(g:Group),
      (e)-[:TOOK_PLACE_IN]->(place:Place)
RETURN p.name AS person, g.name AS met_with, e.date AS date, place.name AS place
ORDER BY person, met_with;

// Which posts does the article give Mike Waltz, and as of when?
MATCH (p:Person {name: 'Mike Waltz'})-[h:HOLDS_POSITION]->(c)
RETURN h.as_of AS as_of, h.title AS title, c.name AS country, h.source AS source
ORDER BY as_of;

// What was the meeting about, and to which body was that document submitted?
MATCH (e:Event)-[:DISCUSSED]->(d:Document)-[:SUBMITTED_TO]->(o:Organization)
RETURN e.name AS meeting, d.name AS document, d.subject AS subject, o.name AS submitted_to
ORDER BY meeting;

// What did the meeting follow?
MATCH (e:Event)-[r:FOLLOWED_SUBMISSION_OF]->(d:Document)
RETURN e.name AS event, e.date AS date, d.name AS followed_submission_of, r.source AS source
ORDER BY event;

// Who drafted and who circulated the resolution, and who says so?
MATCH (c:Country)-[r:DRAFTED|CIRCULATED]->(d:Document)
RETURN c.name AS country, type(r) AS did, d.name AS document, r.source AS source
ORDER BY did;

// Who reported what, citing whom?
MATCH (m:Media)-[r:REPORTED]->(x)
RETURN m.name AS outlet, labels(x)[0] AS kind, x.name AS subject, r.citing AS citing
ORDER BY subject;

// What does the draft propose, where, and for how long at least?
MATCH (d:Document)-[p:PROPOSES]->(f:Force)-[:DEPLOYS_TO]->(place:Place)
RETURN d.name AS document, f.name AS force, place.name AS deployed_to, p.min_years AS min_years
ORDER BY force;

// What authority would the draft grant, to whom, for what, until when, and can it be extended?
MATCH (d:Document)-[g:GRANTS_AUTHORITY_TO]->(c:Country)
RETURN c.name AS granted_to, g.shared_with AS together_with, g.breadth AS breadth, g.scope AS scope,
       g.until AS until, g.extendable AS extendable, g.source AS source
ORDER BY granted_to;

// How many days after the meeting would the granted authority end, before any extension?
MATCH (e:Event {name: 'Waltz meeting with Palestinian diplomats'})-[:DISCUSSED]->(d:Document)-[g:GRANTS_AUTHORITY_TO]->(c:Country)
RETURN c.name AS granted_to, e.date AS meeting, g.until AS until, duration.inDays(e.date, g.until).days AS days
ORDER BY granted_to;

// Who is in the article's photo, in which post, on what occasion, where and when, and who is credited?
MATCH (photo:Photo)-[:DEPICTS]->(p:Person), (photo)-[:CREDITED_TO]->(m:Media),
      (p)-[h:HOLDS_POSITION]->(:Country), (p)-[:PARTICIPATED_IN]->(e:Event)-[:TOOK_PLACE_IN]->(place:Place)
WHERE h.as_of = photo.date AND e.date = photo.date
RETURN p.name AS person, h.title AS post, e.name AS occasion, place.name AS place, photo.date AS date, m.name AS credit
ORDER BY person;

// Which events does the graph hold, in date order (undated last)?
MATCH (e:Event)
RETURN e.date AS date, e.name AS event
ORDER BY date, event;
