import SunSpec
import Testing

/// Every layout matches pysunspec2's model JSON (ReferenceLayouts.swift, generated from an independent source).
@Suite struct ReferenceLayoutTests {
    @Test(arguments: [1, 203, 213, 701, 702, 704, 713] as [UInt16])
    func layoutMatchesPySunSpec2(model: UInt16) throws {
        let reference = try #require(referenceLayouts[model])
        let ours = try #require(SunSpecModels.definition(id: model))
        #expect(ours.length == reference.length)
        #expect(ours.points.map(\.name) == reference.points.map(\.0))
        for (name, offset, words, scaleFactor) in reference.points {
            let point = try #require(ours.point(name), "\(model).\(name)")
            #expect(point.offset == offset, "\(model).\(name)")
            #expect(point.type.words == words, "\(model).\(name)")
            #expect(point.scaleFactor == scaleFactor, "\(model).\(name)")
        }
    }

    @Test func vendorTemperatureBlockIsEvenAndScaled() throws {
        let block = SunSpecModels.transformerTemperatures
        #expect(block.id == 64900 && block.length == 6)
        for name in ["TopOilTmp", "AmbTmp", "HotSpotTmp"] {
            #expect(block.point(name)?.scaleFactor == "Tmp_SF")
            #expect(block.point(name)?.type == .int16)
        }
    }
}
