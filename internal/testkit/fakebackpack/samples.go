package fakebackpack

// Badges to push to the fake, which does not verify them: an Open Badges
// 2.0 hosted assertion and an Open Badges 3.0 credential without a proof.
const (
	SampleAssertion = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://issuer.example/a/1",` +
		`"recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://issuer.example/b/1",` +
		`"verification":{"type":"hosted"},"issuedOn":"2024-01-01T00:00:00Z"}`
	SampleCredential = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],` +
		`"type":["VerifiableCredential","OpenBadgeCredential"],"id":"urn:uuid:6f1b7c3e-0000-4000-8000-000000000001",` +
		`"issuer":{"id":"https://issuer.example","type":["Profile"]},"validFrom":"2024-01-01T00:00:00Z",` +
		`"credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"https://issuer.example/ach/1","type":["Achievement"],"name":"A","description":"A","criteria":{"narrative":"A"}}}}`
)
